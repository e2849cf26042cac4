// Dumps Java charsets byte by byte, for tools/codepages/gen.py crosscheck.
// Run: java tools/codepages/JavaDump.java IBM037 x-IBM1025 ...
// Output: "<charset> <byte hex> <code point hex or ->" per line; "-" = unmappable.
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;

public class JavaDump {
    public static void main(String[] args) {
        for (String name : args) {
            if (!Charset.isSupported(name)) {
                System.out.println(name + " missing");
                continue;
            }
            CharsetDecoder dec = Charset.forName(name).newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
            for (int b = 0; b < 256; b++) {
                String out;
                try {
                    CharBuffer cb = dec.reset().decode(ByteBuffer.wrap(new byte[] {(byte) b}));
                    out = cb.length() == 1 ? String.format("%04X", (int) cb.charAt(0)) : "-";
                } catch (CharacterCodingException e) {
                    out = "-";
                }
                System.out.println(name + " " + String.format("%02X", b) + " " + out);
            }
        }
    }
}
