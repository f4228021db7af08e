package backoffice.streams;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * A listing as its last ListingEvent tells it: the peer's global stores hold the last record of
 * each listings topic per listingId (the peer writes those topics itself, so an approved
 * listing reaches every task, shortly after the transaction that published it).
 */
record Listing(String id, String ownerId, String contentType, int version, Object contact, Object address, Object businessHours) {
  static Listing decode(Codec codec, Schema listingEvent, byte[] wire) {
    GenericRecord event;
    try {
      event = codec.read(listingEvent, wire, Codec.HEADER);
    } catch (IOException e) {
      throw new UncheckedIOException("a listing event the peer wrote does not decode", e);
    }
    GenericRecord payload = (GenericRecord) event.get("payload");
    // A ListingInfoChanged carries the whole contact, address and hours; a ListingPublished, the listing.
    GenericRecord current = payload.getSchema().getName().equals("ListingPublished") ? (GenericRecord) payload.get("listing") : payload;
    return new Listing(event.get("listingId").toString(), event.get("ownerId").toString(), event.get("contentType").toString(),
        (Integer) event.get("version"), current.get("contact"), current.get("address"), current.get("businessHours"));
  }
}
