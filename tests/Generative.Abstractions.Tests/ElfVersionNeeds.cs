using System.Buffers.Binary;
using System.Text;

namespace Generative.Abstractions.Tests;

/// <summary>An independent reader of an ELF64 file's version requirements (.gnu.version_r), to check the build's patch.</summary>
internal static class ElfVersionNeeds
{
    /// <summary>The vna_flags of the requirement named <paramref name="version"/>, or null when the file does not require it.</summary>
    public static int? FlagsOf(string path, string version)
    {
        ReadOnlySpan<byte> elf = File.ReadAllBytes(path);
        ulong sectionHeaders = BinaryPrimitives.ReadUInt64LittleEndian(elf[0x28..]);
        int entrySize = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3A..]);
        int count = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3C..]);
        for (int i = 0; i < count; i++)
        {
            var header = elf[(int)((long)sectionHeaders + (long)i * entrySize)..];
            if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != 0x6ffffffe)
            {
                continue;
            }

            int offset = (int)BinaryPrimitives.ReadUInt64LittleEndian(header[24..]);
            int needs = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[44..]);
            int link = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[40..]);
            var strings = elf[(int)((long)sectionHeaders + (long)link * entrySize)..];
            int stringTable = (int)BinaryPrimitives.ReadUInt64LittleEndian(strings[24..]);
            int need = offset;
            for (int n = 0; n < needs; n++)
            {
                int auxCount = BinaryPrimitives.ReadUInt16LittleEndian(elf[(need + 2)..]);
                int aux = need + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(need + 8)..]);
                for (int a = 0; a < auxCount; a++)
                {
                    int name = stringTable + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(aux + 8)..]);
                    int end = elf[name..].IndexOf((byte)0);
                    if (Encoding.ASCII.GetString(elf.Slice(name, end)) == version)
                    {
                        return BinaryPrimitives.ReadUInt16LittleEndian(elf[(aux + 4)..]);
                    }

                    aux += (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(aux + 12)..]);
                }

                need += (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(need + 12)..]);
            }
        }

        return null;
    }
}
