package backoffice.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The admin token check of src/processors/envelope.ts and src/auth/tokens.ts: RS256 signature,
 * issuer, audience, validity at the record's timestamp (the broker's append time), an issuedAt
 * within 5 minutes of it, and the MASTER role. Like the service, a token's signature is verified
 * once and remembered (admins sign many decisions with one token); the times are checked every time.
 */
final class Tokens {
  record Verdict(String adminId, String refusal) {
    boolean ok() {
      return refusal == null;
    }
  }

  private record Claims(String subject, String role, long notBefore, long expires) {}

  private static final long SKEW_MS = 5 * 60_000;
  private static final int REMEMBERED = 10_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PublicKey key;
  private final String issuer;
  private final String audience;
  private final Map<String, Claims> verified = new ConcurrentHashMap<>();

  Tokens(String publicKeyPem, String issuer, String audience) {
    String base64 = publicKeyPem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    try {
      key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("AUTH_PUBLIC_KEY is not an RSA public key (SPKI PEM)", e);
    }
    this.issuer = issuer;
    this.audience = audience;
  }

  Verdict check(String token, long issuedAt, long decidedAt) {
    if (Math.abs(issuedAt - decidedAt) > SKEW_MS) return new Verdict(null, "issuedAt lies more than 300 s from the command's arrival");
    Claims claims = verified.get(token);
    if (claims == null) {
      claims = verify(token);
      if (claims == null) return new Verdict(null, "token refused");
      if (verified.size() >= REMEMBERED) verified.clear();
      verified.put(token, claims);
    }
    long now = decidedAt / 1000;
    if (claims.notBefore() > now || claims.expires() <= now) return new Verdict(claims.subject(), "token not valid at the command's arrival");
    if (!"MASTER".equals(claims.role())) return new Verdict(claims.subject(), "role " + claims.role() + " may not decide");
    return new Verdict(claims.subject(), null);
  }

  /** The claims of a token whose signature, issuer and audience hold; null otherwise. */
  private Claims verify(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) return null;
    try {
      Base64.Decoder base64 = Base64.getUrlDecoder();
      if (!"RS256".equals(JSON.readTree(base64.decode(parts[0])).path("alg").asText())) return null;
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initVerify(key);
      signature.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!signature.verify(base64.decode(parts[2]))) return null;
      JsonNode payload = JSON.readTree(base64.decode(parts[1]));
      JsonNode aud = payload.path("aud");
      boolean audienceOk = aud.isArray() ? containsText(aud, audience) : audience.equals(aud.asText());
      if (!issuer.equals(payload.path("iss").asText()) || !audienceOk || !payload.hasNonNull("sub") || !payload.path("exp").isNumber()) return null;
      return new Claims(payload.get("sub").asText(), payload.path("role").asText(), payload.path("nbf").asLong(Long.MIN_VALUE), payload.get("exp").asLong());
    } catch (GeneralSecurityException | IllegalArgumentException | java.io.IOException e) {
      return null;
    }
  }

  private static boolean containsText(JsonNode array, String text) {
    for (JsonNode item : array) if (text.equals(item.asText())) return true;
    return false;
  }
}
