package backoffice.streams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * An application as the state store keeps it: status, version, and the ApplicationSnapshot the
 * events carry (applicant, kind, listing, content type, details), as one status byte, the version
 * and the snapshot's Avro body.
 */
record Stored(Status status, int version, GenericRecord snapshot) {
  enum Status { PENDING, APPROVED, REJECTED, WITHDRAWN }

  private static final Status[] STATUSES = Status.values();

  String applicantId() {
    return snapshot.get("applicantId").toString();
  }

  String kind() {
    return snapshot.get("kind").toString();
  }

  String contentType() {
    return snapshot.get("contentType").toString();
  }

  Object listingId() {
    return snapshot.get("listingId");
  }

  Stored next(Status status, GenericRecord snapshot) {
    return new Stored(status, version + 1, snapshot);
  }

  byte[] encode(Codec codec) {
    return codec.withPrefix(ByteBuffer.allocate(5).put((byte) status.ordinal()).putInt(version).array(), snapshot);
  }

  static Stored decode(Codec codec, Schema snapshotSchema, byte[] bytes) {
    try {
      return new Stored(STATUSES[bytes[0]], ByteBuffer.wrap(bytes, 1, 4).getInt(), codec.read(snapshotSchema, bytes, 5));
    } catch (IOException e) {
      throw new UncheckedIOException("a stored application does not decode", e);
    }
  }
}
