package org.fer4j.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The defences {@link TarStream} keeps around Commons Compress: regular members only, extended
 * headers bounded before they are read, member names that are text and never paths.
 */
class TarStreamTest {
    private static final LoadOptions OPTIONS = LoadOptions.DEFAULT;
    private static final byte[] CSV = Fixtures.csv(Fixtures.rows(3, 5)).getBytes(StandardCharsets.UTF_8);

    /** One member of the given type flag, its data padded to the block. */
    private static void member(ByteArrayOutputStream out, String name, byte type, byte[] data) throws IOException {
        out.write(Fixtures.header(name, data.length, type));
        out.write(data);
        out.write(new byte[Fixtures.pad(data.length) - data.length]);
    }

    private static Dataset read(byte[] tar) throws IOException {
        return Fer2013Csv.read(new ByteArrayInputStream(tar), "test.tar", OPTIONS);
    }

    @Test
    void linksDevicesAndFifosNamedLikeTheCsvArePassedOver() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte type : new byte[] {'1', '2', '3', '4', '5', '6'}) {   // hard link, symlink, char, block, dir, FIFO
            member(out, "fer2013/fer2013.csv", type, new byte[0]);
        }
        member(out, "fer2013/fer2013.csv", (byte) '0', CSV);
        out.write(new byte[1024]);
        assertEquals(3, read(out.toByteArray()).size(), "the regular member is the one read");

        ByteArrayOutputStream onlyLinks = new ByteArrayOutputStream();
        member(onlyLinks, "fer2013/fer2013.csv", (byte) '2', new byte[0]);
        member(onlyLinks, "fer2013/fer2013.csv", (byte) '6', new byte[0]);
        onlyLinks.write(new byte[1024]);
        BadDataException e = assertThrows(BadDataException.class, () -> read(onlyLinks.toByteArray()));
        assertTrue(e.getMessage().startsWith("test.tar: no fer2013.csv inside the archive"), e.getMessage());
    }

    @Test
    void anExtendedHeaderOverOneMebibyteIsRefusedBeforeItIsRead() throws IOException {
        for (byte type : new byte[] {'L', 'x', 'g'}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(Fixtures.header("././@LongLink", 2L << 20, type));   // claims 2 MiB; none follows
            out.write(new byte[1024]);
            BadDataException e = assertThrows(BadDataException.class, () -> read(out.toByteArray()), "type " + (char) type);
            assertEquals("test.tar: tar extended header of 2097152 bytes, expected at most 1 MiB", e.getMessage());
        }
    }

    @Test
    void aMemberNameIsTextNeverAPath() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        member(out, "../../\u001b[31m/fer2013.csv", (byte) '0', "emotion,pixels\n9,1 2\n".getBytes(StandardCharsets.UTF_8));
        out.write(new byte[1024]);
        BadDataException e = assertThrows(BadDataException.class, () -> read(out.toByteArray()));
        assertTrue(e.getMessage().startsWith("test.tar!../../\\e[31m/fer2013.csv line 2"), e.getMessage());
        assertFalse(e.getMessage().contains("\u001b"), "escaped");
    }

    @Test
    void aHeaderWithABadSizeFieldIsRefusedNamingTheArchive() throws IOException {
        byte[] tar = Fixtures.tar(List.of("fer2013/fer2013.csv"), List.of(CSV));
        tar[125] = 'z';   // inside the octal size field
        BadDataException e = assertThrows(BadDataException.class, () -> read(tar));
        assertTrue(e.getMessage().startsWith("test.tar: not a valid tar archive ("), e.getMessage());
    }
}
