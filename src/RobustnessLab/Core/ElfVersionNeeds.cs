using System.Buffers.Binary;
using System.Text;

namespace RobustnessLab.Core;

/// <summary>Reads the GNU version-needs table of a 64-bit little-endian ELF file (for `lab info` and tests).</summary>
public static class ElfVersionNeeds
{
    /// <summary>True when the named version requirement exists and carries VER_FLG_WEAK; null when it is absent.</summary>
    public static bool? IsWeak(string path, string versionName)
    {
        var b = File.ReadAllBytes(path);
        if (b.Length < 64 || b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F' || b[4] != 2 || b[5] != 1) return null;
        long shoff = BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(0x28));
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(0x3A));
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(0x3C));
        for (int s = 0; s < shnum; s++)
        {
            int sh = checked((int)(shoff + (long)s * shentsize));
            if (BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(sh + 4)) != 0x6ffffffe) continue;
            long off = BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(sh + 0x18));
            uint link = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(sh + 0x28));
            uint count = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(sh + 0x2C));
            int strsh = checked((int)(shoff + (long)link * shentsize));
            long stroff = BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(strsh + 0x18));
            long vn = off;
            for (uint e = 0; e < count; e++)
            {
                int cnt = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan((int)vn + 2));
                uint aux = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)vn + 8));
                uint next = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)vn + 12));
                long va = vn + aux;
                for (int a = 0; a < cnt; a++)
                {
                    uint nameOff = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)va + 8));
                    int p = (int)(stroff + nameOff);
                    int q = Array.IndexOf(b, (byte)0, p);
                    if (Encoding.ASCII.GetString(b, p, q - p) == versionName)
                        return (BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan((int)va + 4)) & 0x2) != 0;
                    uint anext = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)va + 12));
                    if (anext == 0) break;
                    va += anext;
                }
                if (next == 0) break;
                vn += next;
            }
        }
        return null;
    }
}
