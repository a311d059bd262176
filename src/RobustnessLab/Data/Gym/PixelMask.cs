namespace RobustnessLab.Data.Gym;

/// <summary>Operations on the renders' pixel masks (H*W, row-major, square).</summary>
public static class PixelMask
{
    /// <summary>The mask grown by one pixel in all eight directions: a part and its one-pixel anti-aliased rim.</summary>
    public static bool[] Dilate(bool[] mask, int size)
    {
        var grown = new bool[mask.Length];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                if (!mask[y * size + x]) continue;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int yy = y + dy, xx = x + dx;
                        if (yy >= 0 && yy < size && xx >= 0 && xx < size) grown[yy * size + xx] = true;
                    }
            }
        return grown;
    }
}
