package backoffice.streams;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import backoffice.streams.Decider.Accepted;
import backoffice.streams.Decider.Decision;
import backoffice.streams.Decider.ListingChange;
import backoffice.streams.Decider.Refused;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One task's commands, in offset order: decode, dedupe by commandId, decide against the
 * application's state, and forward the outcome records the service would publish for it
 * (src/processors/outcome.ts): one ApplicationEvent per command, a NotificationRequested on
 * submit, approve and reject, a ListingEvent on approve. Under exactly_once_v2 the store
 * updates, the outcome records and the input offsets commit in one transaction.
 */
final class CommandProcessor implements Processor<byte[], byte[], byte[], byte[]> {
  static final String APPLICATIONS = "applications";
  static final String COMMAND_IDS = "command-ids";
  static final String EVENTS = "events";
  static final String NOTIFICATIONS = "notifications";
  static final String DLQ = "dlq";

  static String listings(String contentType) {
    return "listings-" + contentType;
  }

  private static final Pattern UUID = Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", Pattern.CASE_INSENSITIVE);

  private final Schemas schemas;
  private final Settings settings;
  private final Decider decider;
  private final Codec codec = new Codec();
  private final MessageDigest sha256;
  private final Schema command;
  private final Schema event;
  private final Schema snapshot;
  private final Schema listingEvent;
  private final Schema notification;
  private ProcessorContext<byte[], byte[]> context;
  private KeyValueStore<String, byte[]> applications;
  private KeyValueStore<String, byte[]> commandIds;
  private final Map<String, KeyValueStore<String, byte[]>> listingStores = new HashMap<>();

  CommandProcessor(Schemas schemas, Settings settings, Tokens tokens) {
    this.schemas = schemas;
    this.settings = settings;
    decider = new Decider(schemas, tokens, this::listing);
    command = schemas.get("ApplicationCommand");
    event = schemas.get("ApplicationEvent");
    snapshot = schemas.get("ApplicationSnapshot");
    listingEvent = schemas.get("ListingEvent");
    notification = schemas.get("NotificationRequested");
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
    applications = context.getStateStore(APPLICATIONS);
    commandIds = context.getStateStore(COMMAND_IDS);
    for (String type : Settings.CONTENT_TYPES) listingStores.put(type, context.getStateStore(listings(type)));
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    GenericRecord wire;
    try {
      wire = readCommand(record);
    } catch (Codec.Unreadable unreadable) {
      deadLetter(record, unreadable.code, unreadable.getMessage());
      return;
    }
    String commandId = wire.get("commandId").toString();
    String applicationId = wire.get("applicationId").toString();
    byte[] hash = sha256.digest(record.value());
    byte[] seen = commandIds.get(commandId);
    // A redelivery: its outcome went out with the first delivery.
    if (seen != null && Arrays.equals(seen, hash)) return;
    byte[] stored = applications.get(applicationId);
    Stored state = stored == null ? null : Stored.decode(codec, snapshot, stored);
    String scope = commandId;
    Decision decision;
    if (seen == null) {
      commandIds.put(commandId, hash);
      decision = decider.decide(state, wire, record.timestamp());
    } else {
      // Ids of its own, so the refusal does not collide with the first command's event.
      scope = commandId + "/" + HexFormat.of().formatHex(hash);
      decision = new Refused("IDEMPOTENCY_KEY_REUSED", "commandId " + commandId + " was used for a different command");
    }
    emit(record, wire, state, decision, scope);
  }

  private GenericRecord readCommand(Record<byte[], byte[]> record) throws Codec.Unreadable {
    GenericRecord wire = codec.readWire(command, settings.commands().schemaId(), record.value());
    String commandId = wire.get("commandId").toString();
    String applicationId = wire.get("applicationId").toString();
    if (!UUID.matcher(commandId).matches()) throw new Codec.Unreadable("INVALID_ID", "commandId is not a UUID");
    if (!UUID.matcher(applicationId).matches()) throw new Codec.Unreadable("INVALID_ID", "applicationId is not a UUID");
    if (record.key() == null || record.key().length == 0) throw new Codec.Unreadable("MISSING_KEY", "the record key must be the applicationId");
    if (!new String(record.key(), StandardCharsets.UTF_8).equals(applicationId)) throw new Codec.Unreadable("KEY_MISMATCH", "the record key differs from the body applicationId");
    return wire;
  }

  private void emit(Record<byte[], byte[]> input, GenericRecord wire, Stored state, Decision decision, String scope) {
    String applicationId = wire.get("applicationId").toString();
    long at = input.timestamp();
    GenericRecord outcome = new GenericData.Record(event);
    String eventId = Ids.derived(scope, "event/0");
    outcome.put("eventId", eventId);
    outcome.put("commandId", wire.get("commandId"));
    outcome.put("applicationId", applicationId);
    outcome.put("occurredAt", at);
    if (decision instanceof Refused refused) {
      GenericRecord rejected = schemas.branchRecord("ApplicationEvent", "CommandRejected", "commandType", ((GenericRecord) wire.get("payload")).getSchema().getName());
      rejected.put("code", schemas.symbol("RejectionCode", refused.code()));
      rejected.put("message", refused.message());
      outcome.put("version", state == null ? 0 : state.version());
      outcome.put("payload", rejected);
      send(input, EVENTS, applicationId, eventId, codec.wire(settings.events().schemaId(), outcome));
      return;
    }
    Accepted accepted = (Accepted) decision;
    Stored next = accepted.next();
    applications.put(applicationId, next.encode(codec));
    outcome.put("version", next.version());
    outcome.put("payload", accepted.payload());
    send(input, EVENTS, applicationId, eventId, codec.wire(settings.events().schemaId(), outcome));
    if (accepted.listing() != null) {
      ListingChange change = accepted.listing();
      String listingEventId = Ids.derived(scope, "listing");
      GenericRecord listing = new GenericData.Record(listingEvent);
      listing.put("eventId", listingEventId);
      listing.put("listingId", change.id());
      listing.put("ownerId", next.applicantId());
      listing.put("contentType", next.snapshot().get("contentType"));
      listing.put("applicationId", applicationId);
      listing.put("version", change.version());
      listing.put("occurredAt", at);
      listing.put("payload", change.payload());
      send(input, listings(next.contentType()), change.id(), listingEventId, codec.wire(settings.listings().get(next.contentType()).schemaId(), listing));
    }
    if (accepted.template() != null) notify(input, scope, next, applicationId, accepted.template(), next.applicantId(), accepted.reason(), at);
    // New work for the reviewers, as the service announces it.
    String branch = accepted.payload().getSchema().getName();
    if (branch.equals("ApplicationSubmitted") || branch.equals("ApplicationAmended")) {
      notify(input, scope, next, applicationId, "APPLICATION_AWAITING_REVIEW", settings.reviewers(), null, at);
    }
  }

  private void notify(Record<byte[], byte[]> input, String scope, Stored next, String applicationId, String template, String recipientId, String reason, long at) {
    String notificationId = Ids.derived(scope, "notification/" + template);
    GenericRecord request = new GenericData.Record(notification);
    request.put("notificationId", notificationId);
    request.put("recipientId", recipientId);
    request.put("template", schemas.symbol("NotificationTemplate", template));
    request.put("applicationId", applicationId);
    request.put("contentType", next.snapshot().get("contentType"));
    request.put("reason", reason);
    request.put("occurredAt", at);
    send(input, NOTIFICATIONS, recipientId, notificationId, codec.wire(settings.notifications().schemaId(), request));
  }

  private void send(Record<byte[], byte[]> input, String child, String key, String eventId, byte[] value) {
    RecordHeaders headers = new RecordHeaders();
    headers.add("event-id", eventId.getBytes(StandardCharsets.UTF_8));
    context.forward(input.withKey(key.getBytes(StandardCharsets.UTF_8)).withValue(value).withHeaders(headers), child);
  }

  /** The original key and bytes, with the reason and origin in headers, as the service's DLQ. */
  private void deadLetter(Record<byte[], byte[]> input, String code, String message) {
    RecordMetadata origin = context.recordMetadata().orElseThrow();
    RecordHeaders headers = new RecordHeaders();
    headers.add("error.code", code.getBytes(StandardCharsets.UTF_8));
    headers.add("error.message", message.substring(0, Math.min(message.length(), 1000)).getBytes(StandardCharsets.UTF_8));
    headers.add("source.topic", origin.topic().getBytes(StandardCharsets.UTF_8));
    headers.add("source.partition", String.valueOf(origin.partition()).getBytes(StandardCharsets.UTF_8));
    headers.add("source.offset", String.valueOf(origin.offset()).getBytes(StandardCharsets.UTF_8));
    context.forward(input.withHeaders(headers), DLQ);
  }

  private Listing listing(String id) {
    for (KeyValueStore<String, byte[]> store : listingStores.values()) {
      byte[] last = store.get(id);
      if (last != null) return Listing.decode(codec, listingEvent, last);
    }
    return null;
  }

}
