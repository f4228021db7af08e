package backoffice.streams;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Avro bodies in and out, the Confluent wire format's 5-byte header (magic byte 0, schema id)
 * around them. One per task: readers, writers and buffers are reused and not thread-safe.
 */
final class Codec {
  static final int HEADER = 5;

  /** Why a record cannot be read, with the dead-letter code the service uses for it. */
  static final class Unreadable extends Exception {
    final String code;

    Unreadable(String code, String message) {
      super(message);
      this.code = code;
    }
  }

  private final Map<Schema, GenericDatumReader<GenericRecord>> readers = new HashMap<>();
  private final Map<Schema, GenericDatumWriter<GenericRecord>> writers = new HashMap<>();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
  private BinaryDecoder decoder;
  private BinaryEncoder encoder;

  /**
   * The body after a wire-format header naming `schemaId`. Only that writer schema is known: the
   * peer has no registry client (Confluent's serde is not on Maven Central), so any other id is
   * an unknown schema.
   */
  GenericRecord readWire(Schema schema, int schemaId, byte[] bytes) throws Unreadable {
    if (bytes == null || bytes.length == 0) throw new Unreadable("EMPTY_VALUE", "the record has no value");
    if (bytes[0] != 0 || bytes.length < HEADER) throw new Unreadable("BAD_MAGIC_BYTE", "not the Confluent wire format (magic byte " + bytes[0] + ")");
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    if (id != schemaId) throw new Unreadable("UNKNOWN_SCHEMA", "schema id " + id + " is not the command schema " + schemaId);
    try {
      return read(schema, bytes, HEADER);
    } catch (IOException | RuntimeException e) {
      throw new Unreadable("MALFORMED_AVRO", "Avro body does not decode: " + e);
    }
  }

  /** An Avro body at `offset`, which must end where the bytes end. */
  GenericRecord read(Schema schema, byte[] bytes, int offset) throws IOException {
    decoder = DecoderFactory.get().binaryDecoder(bytes, offset, bytes.length - offset, decoder);
    GenericRecord record = readers.computeIfAbsent(schema, GenericDatumReader::new).read(null, decoder);
    if (!decoder.isEnd()) throw new IOException("bytes left after the record");
    return record;
  }

  byte[] wire(int schemaId, GenericRecord record) {
    out.reset();
    out.write(0);
    out.write(schemaId >>> 24);
    out.write(schemaId >>> 16);
    out.write(schemaId >>> 8);
    out.write(schemaId);
    return body(record, out);
  }

  /** `prefix` bytes, then the record's Avro body. */
  byte[] withPrefix(byte[] prefix, GenericRecord record) {
    out.reset();
    out.writeBytes(prefix);
    return body(record, out);
  }

  private byte[] body(GenericRecord record, ByteArrayOutputStream into) {
    encoder = EncoderFactory.get().binaryEncoder(into, encoder);
    try {
      writers.computeIfAbsent(record.getSchema(), GenericDatumWriter::new).write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new IllegalStateException("an Avro record the peer built does not encode", e);
    }
    return into.toByteArray();
  }
}
