package backoffice.streams;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line, `--name=value` each. A topic the peer writes Avro to is given as
 * `topic@schemaId`: the id the registry gave its subject, for the Confluent wire format's header.
 */
record Settings(
    String bootstrapServers, String applicationId, Path stateDir, Path avroDir, int threads, String issuer, String audience,
    Outlet commands, Outlet events, Outlet notifications, Map<String, Outlet> listings, String dlq, String reviewers) {

  static final List<String> CONTENT_TYPES = List.of("RESTAURANT", "PERFORMANCE", "EXHIBITION");

  record Outlet(String topic, int schemaId) {
    static Outlet parse(String text) {
      int at = text.lastIndexOf('@');
      if (at < 1) throw new IllegalArgumentException("expected topic@schemaId, got " + text);
      return new Outlet(text.substring(0, at), Integer.parseInt(text.substring(at + 1)));
    }
  }

  static Settings parse(String[] args) {
    Map<String, String> given = new HashMap<>();
    for (String arg : args) {
      int equals = arg.indexOf('=');
      if (!arg.startsWith("--") || equals < 0) throw new IllegalArgumentException("arguments are --name=value, got " + arg);
      given.put(arg.substring(2, equals), arg.substring(equals + 1));
    }
    java.util.function.Function<String, String> required = (name) -> {
      String value = given.get(name);
      if (value == null || value.isEmpty()) throw new IllegalArgumentException("--" + name + " is required");
      return value;
    };
    Map<String, Outlet> listings = new HashMap<>();
    for (String type : CONTENT_TYPES) listings.put(type, Outlet.parse(required.apply("listings." + type)));
    return new Settings(
        required.apply("bootstrap-servers"), required.apply("application-id"), Path.of(required.apply("state-dir")), Path.of(required.apply("avro-dir")),
        Integer.parseInt(given.getOrDefault("threads", "1")), required.apply("issuer"), required.apply("audience"),
        Outlet.parse(required.apply("commands")), Outlet.parse(required.apply("events")), Outlet.parse(required.apply("notifications")),
        Map.copyOf(listings), required.apply("dlq"), given.getOrDefault("reviewers", "backoffice-reviewers"));
  }
}
