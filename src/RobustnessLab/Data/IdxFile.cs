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

    /// <summary>
    /// Reads a file, raw or gzip. The header is read from the stream first and the data read up to the size it
    /// announces (itself bounded by <see cref="ResourceLimits.MaxIdxBytes"/>): a small gzip file that inflates to
    /// gigabytes (a "gzip bomb", or a corrupt download) costs at most what its header claims, never all of it.
    /// </summary>
    public static Content Read(string path, int expectedRank)
    {
        if (!File.Exists(path)) throw new LabException($"{path}: file not found");
        try
        {
            using var fs = File.OpenRead(path);
            int b0 = fs.ReadByte(), b1 = fs.ReadByte();
            fs.Position = 0;
            using Stream stream = b0 == 0x1f && b1 == 0x8b ? new GZipStream(fs, CompressionMode.Decompress) : fs;
            return Read(stream, path, expectedRank);
        }
        catch (InvalidDataException e)
        {
            throw new LabException($"{path}: corrupt gzip stream ({e.Message})", e);
        }
    }

    /// <summary>Reads an IDX tensor from a stream; <paramref name="name"/> names it in errors.</summary>
    public static Content Read(Stream stream, string name, int expectedRank)
    {
        var head = new byte[4];
        int got = ReadUpTo(stream, head, 0, 4);
        if (got < 4) throw new LabException($"{name}: truncated: {got} bytes, not even a header");
        var (rank, _) = CheckMagic(head, name, expectedRank);
        var dimBytes = new byte[4 * rank];
        got = ReadUpTo(stream, dimBytes, 0, dimBytes.Length);
        if (got < dimBytes.Length) throw new LabException($"{name}: truncated header ({4 + got} bytes, need {4 + dimBytes.Length})");
        var (dims, total) = Dimensions(dimBytes, rank, name);
        if (stream.CanSeek && stream.Length - stream.Position < total)
            throw new LabException($"{name}: truncated: header promises {total} bytes of data ({string.Join(" x ", dims)}), file has {stream.Length - stream.Position}");
        // A compressed stream's length is unknown until read: grow the buffer as data arrives, so a short stream
        // claiming much costs what it holds, not what it claims.
        var data = new byte[stream.CanSeek ? total : Math.Min(total, 1 << 20)];
        got = 0;
        while (got < total)
        {
            if (got == data.Length) Array.Resize(ref data, (int)Math.Min(total, 2L * data.Length));
            int n = ReadUpTo(stream, data, got, data.Length - got);
            got += n;
            if (got < data.Length) break;
        }
        if (got < total) throw new LabException($"{name}: truncated: header promises {total} bytes of data ({string.Join(" x ", dims)}), file has {got}");
        // Count what follows the data, but only a little of it: a bomb's remaining gigabytes are never inflated.
        var tail = new byte[4096];
        int extra = ReadUpTo(stream, tail, 0, tail.Length);
        if (extra > 0)
            throw new LabException($"{name}: {(extra == tail.Length ? "more than " + extra : extra.ToString(System.Globalization.CultureInfo.InvariantCulture))} unexpected bytes after the data ({string.Join(" x ", dims)})");
        return new Content(dims, data);
    }

    public static Content Parse(byte[] bytes, string name, int expectedRank)
    {
        using var ms = new MemoryStream(bytes, writable: false);
        return Read(ms, name, expectedRank);
    }

    private static (int Rank, uint Magic) CheckMagic(byte[] head, string name, int expectedRank)
    {
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(head);
        if (head[0] != 0 || head[1] != 0)
            throw new LabException($"{name}: wrong magic number 0x{magic:X8} (an IDX file starts with 0x0000, then a type byte and a rank byte)");
        if (head[2] != 0x08)
            throw new LabException($"{name}: element type 0x{head[2]:X2} is not unsigned byte (0x08)");
        int rank = head[3];
        if (rank != expectedRank)
            throw new LabException($"{name}: rank {rank}, expected {expectedRank} (magic 0x{magic:X8})");
        return (rank, magic);
    }

    private static (int[] Dims, long Total) Dimensions(byte[] dimBytes, int rank, string name)
    {
        var dims = new int[rank];
        long total = 1;
        for (int i = 0; i < rank; i++)
        {
            uint d = BinaryPrimitives.ReadUInt32BigEndian(dimBytes.AsSpan(4 * i));
            if (d == 0 || d > int.MaxValue) throw new LabException($"{name}: dimension {i} is {d}");
            dims[i] = (int)d;
            total = total > long.MaxValue / d ? long.MaxValue : total * d;
        }
        long limit = Math.Min(ResourceLimits.MaxIdxBytes, Array.MaxLength);
        if (total > limit)
            throw new LabException($"{name}: header announces {string.Join(" x ", dims)} = {total:N0} bytes of data; the limit is {limit:N0} " +
                                   "(a corrupt header, or a dataset larger than this reader handles; RL_MAX_IDX_BYTES raises the limit)");
        return (dims, total);
    }

    private static int ReadUpTo(Stream stream, byte[] buffer, int offset, int count)
    {
        int total = 0;
        while (total < count)
        {
            int n = stream.Read(buffer, offset + total, count - total);
            if (n == 0) break;
            total += n;
        }
        return total;
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
