namespace RobustnessLab.Reporting;

/// <summary>An 8-bit RGB colour for figure drawing.</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    public static readonly Rgb White = new(255, 255, 255);
    public static readonly Rgb Black = new(0, 0, 0);
    public static readonly Rgb Grey = new(128, 128, 128);
    public static readonly Rgb LightGrey = new(225, 225, 225);
    public static readonly Rgb Red = new(200, 30, 30);
    public static readonly Rgb Green = new(20, 140, 60);
    public static readonly Rgb Blue = new(30, 80, 200);
}
