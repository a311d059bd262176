using System.Buffers.Binary;
using System.IO.Compression;
using RobustnessLab.Core;

namespace RobustnessLab.Data;

/// <summary>
/// Reader for the IDX format of MNIST and Fashion-MNIST (LeCun et al.), raw or gzip-compressed.
/// Every check names the file and the problem, because a truncated download is the usual cause.
/// </summary>
public static class IdxFile
{
    /// <summary>An unsigned-byte IDX tensor: its dimensions and its data, row-major.</summary>
    public sealed record Content(int[] Dimensions, byte[] Data);

    public static Content Read(string path, int expectedRank)
    {
        if (!File.Exists(path)) throw new LabException($"{path}: file not found");
        byte[] bytes;
        try
        {
            bytes = ReadMaybeGzip(path);
        }
        catch (InvalidDataException e)
        {
            throw new LabException($"{path}: corrupt gzip stream ({e.Message})", e);
        }
        return Parse(bytes, path, expectedRank);
    }

    public static Content Parse(byte[] bytes, string name, int expectedRank)
    {
        if (bytes.Length < 4) throw new LabException($"{name}: truncated: {bytes.Length} bytes, not even a header");
        if (bytes[0] != 0 || bytes[1] != 0)
            throw new LabException($"{name}: wrong magic number 0x{BinaryPrimitives.ReadUInt32BigEndian(bytes):X8} (an IDX file starts with 0x0000, then a type byte and a rank byte)");
        if (bytes[2] != 0x08)
            throw new LabException($"{name}: element type 0x{bytes[2]:X2} is not unsigned byte (0x08)");
        int rank = bytes[3];
        if (rank != expectedRank)
            throw new LabException($"{name}: rank {rank}, expected {expectedRank} (magic 0x{BinaryPrimitives.ReadUInt32BigEndian(bytes):X8})");
        int header = 4 + 4 * rank;
        if (bytes.Length < header) throw new LabException($"{name}: truncated header ({bytes.Length} bytes, need {header})");
        var dims = new int[rank];
        long total = 1;
        for (int i = 0; i < rank; i++)
        {
            uint d = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (d == 0 || d > int.MaxValue) throw new LabException($"{name}: dimension {i} is {d}");
            dims[i] = (int)d;
            total *= d;
        }
        long have = bytes.Length - header;
        if (have < total) throw new LabException($"{name}: truncated: header promises {total} bytes of data ({string.Join(" x ", dims)}), file has {have}");
        if (have > total) throw new LabException($"{name}: {have - total} unexpected bytes after the data ({string.Join(" x ", dims)})");
        var data = new byte[total];
        Buffer.BlockCopy(bytes, header, data, 0, (int)total);
        return new Content(dims, data);
    }

    private static byte[] ReadMaybeGzip(string path)
    {
        using var fs = File.OpenRead(path);
        int b0 = fs.ReadByte(), b1 = fs.ReadByte();
        fs.Position = 0;
        if (b0 == 0x1f && b1 == 0x8b)
        {
            using var gz = new GZipStream(fs, CompressionMode.Decompress);
            using var ms = new MemoryStream();
            gz.CopyTo(ms);
            return ms.ToArray();
        }
        return File.ReadAllBytes(path);
    }

    /// <summary>Writes an unsigned-byte IDX file (for tests and tools).</summary>
    public static byte[] Encode(int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = 0x08;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 + 4 * i), (uint)dims[i]);
        Buffer.BlockCopy(data, 0, bytes, 4 + 4 * dims.Length, data.Length);
        return bytes;
    }
}
