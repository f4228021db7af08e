package backoffice.streams;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The service's derived ids (src/processors/outcome.ts, decider/listing-id.ts), so a consumer sees the same event ids. */
final class Ids {
  static final String EVENT_NAMESPACE = "c0b5a3a4-4f1e-4c51-9a51-2f8f6d0a8e11";
  static final String LISTING_NAMESPACE = "7f7ef740-dff6-4b4d-91b2-56255c2145a1";

  private Ids() {}

  static String derived(String scope, String purpose) {
    return uuidV5(scope + "/" + purpose, EVENT_NAMESPACE);
  }

  static String listingFor(String applicationId) {
    return uuidV5(applicationId, LISTING_NAMESPACE);
  }

  /** RFC 9562 version 5 (SHA-1, name-based). */
  static String uuidV5(String name, String namespace) {
    MessageDigest sha1;
    try {
      sha1 = MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    sha1.update(HexFormat.of().parseHex(namespace.replace("-", "")));
    byte[] bytes = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
    bytes[6] = (byte) ((bytes[6] & 0x0f) | 0x50);
    bytes[8] = (byte) ((bytes[8] & 0x3f) | 0x80);
    String hex = HexFormat.of().formatHex(bytes, 0, 16);
    return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-" + hex.substring(16, 20) + "-" + hex.substring(20);
  }
}
