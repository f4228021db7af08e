package backoffice.streams;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
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

  private sealed interface Decision permits Refused, Accepted {}

  private record Refused(String code, String message) implements Decision {}

  /** The new state, the event's payload, the notification's template (or none) and reason, the listing change (or none). */
  private record Accepted(Stored next, GenericRecord payload, String template, String reason, ListingChange listing) implements Decision {}

  private record ListingChange(String id, int version, GenericRecord payload) {}

  private final Schemas schemas;
  private final Settings settings;
  private final Tokens tokens;
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
    this.tokens = tokens;
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
      decision = decide(state, wire, record.timestamp());
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

  private Decision decide(Stored state, GenericRecord wire, long at) {
    GenericRecord payload = (GenericRecord) wire.get("payload");
    return switch (payload.getSchema().getName()) {
      case "SubmitApplication" -> submit(state, payload);
      case "AmendApplication" -> amend(state, payload);
      case "WithdrawApplication" -> withdraw(state, payload);
      case "ApproveApplication" -> approve(state, wire, payload, at);
      case "RejectApplication" -> reject(state, wire, payload, at);
      default -> throw new IllegalStateException("a command the peer does not know: " + payload.getSchema().getName());
    };
  }

  private Decision submit(Stored state, GenericRecord payload) {
    if (state != null) return new Refused("ALREADY_EXISTS", "application exists (status " + state.status() + ")");
    String applicantId = payload.get("applicantId").toString();
    String kind = payload.get("kind").toString();
    String contentType = payload.get("contentType").toString();
    Object listingId = payload.get("listingId");
    GenericRecord details = (GenericRecord) payload.get("details");
    List<String> problems = new ArrayList<>();
    if (applicantId.isBlank()) problems.add("applicantId: must not be blank");
    if (kind.equals("NEW_LISTING") != (listingId == null)) problems.add("listingId: null for a NEW_LISTING, required for an INFO_CHANGE");
    problems.addAll(Rules.details(details, kind, contentType));
    if (!problems.isEmpty()) return new Refused("VALIDATION_FAILED", String.join("; ", problems));
    if (kind.equals("INFO_CHANGE")) {
      Listing listing = listing(listingId.toString());
      if (listing == null) return new Refused("LISTING_NOT_FOUND", "listing " + listingId + " does not exist");
      if (!listing.ownerId().equals(applicantId)) return new Refused("FORBIDDEN", "listing " + listingId + " is not owned by applicant " + applicantId);
      if (!listing.contentType().equals(contentType)) return new Refused("VALIDATION_FAILED", "contentType: must be " + listing.contentType());
    }
    GenericRecord application = snapshotOf(payload, listingId, details);
    return new Accepted(new Stored(Stored.Status.PENDING, 1, application), payload("ApplicationSubmitted", "application", application), "APPLICATION_RECEIVED", null, null);
  }

  /** Amend and withdraw: the application exists, is the caller's own, is still PENDING. */
  private Refused applicantGate(Stored state, GenericRecord payload) {
    if (state == null) return new Refused("NOT_FOUND", "application does not exist");
    if (!state.applicantId().equals(payload.get("applicantId").toString())) return new Refused("FORBIDDEN", "application belongs to another applicant");
    if (state.status() != Stored.Status.PENDING) return new Refused("NOT_PENDING", "application is " + state.status() + ", only a PENDING application can change");
    return null;
  }

  private Decision amend(Stored state, GenericRecord payload) {
    Refused refused = applicantGate(state, payload);
    if (refused != null) return refused;
    GenericRecord details = (GenericRecord) payload.get("details");
    List<String> problems = Rules.details(details, state.kind(), state.contentType());
    if (!problems.isEmpty()) return new Refused("VALIDATION_FAILED", String.join("; ", problems));
    GenericRecord event = payload("ApplicationAmended", "applicantId", payload.get("applicantId"));
    event.put("details", details);
    return new Accepted(state.next(Stored.Status.PENDING, snapshotOf(state.snapshot(), state.listingId(), details)), event, null, null, null);
  }

  private Decision withdraw(Stored state, GenericRecord payload) {
    Refused refused = applicantGate(state, payload);
    if (refused != null) return refused;
    return new Accepted(state.next(Stored.Status.WITHDRAWN, state.snapshot()), payload("ApplicationWithdrawn", "applicantId", payload.get("applicantId")), null, null, null);
  }

  /** Who decides, or why not. */
  private record AdminGate(Refused refused, String adminId) {}

  /** Approve and reject: a MASTER's token first (a non-admin learns nothing), then a PENDING application. */
  private AdminGate adminGate(Stored state, GenericRecord wire, GenericRecord payload, long at) {
    Tokens.Verdict admin = tokens.check(payload.get("adminToken").toString(), (Long) wire.get("issuedAt"), at);
    if (!admin.ok()) return new AdminGate(new Refused("FORBIDDEN", "admin token refused: " + admin.refusal()), null);
    if (state == null) return new AdminGate(new Refused("NOT_FOUND", "application does not exist"), null);
    if (state.status() != Stored.Status.PENDING) {
      return new AdminGate(new Refused("NOT_PENDING", "application is " + state.status() + ", only a PENDING application can change"), null);
    }
    return new AdminGate(null, admin.adminId());
  }

  private Decision approve(Stored state, GenericRecord wire, GenericRecord payload, long at) {
    AdminGate gate = adminGate(state, wire, payload, at);
    if (gate.refused() != null) return gate.refused();
    Object note = payload.get("note");
    if (note != null && note.toString().codePointCount(0, note.toString().length()) > Rules.TEXT_MAX) return new Refused("VALIDATION_FAILED", "note: at most 1000 characters");
    GenericRecord details = (GenericRecord) state.snapshot().get("details");
    ListingChange change;
    if (state.kind().equals("INFO_CHANGE")) {
      Listing listing = listing(state.listingId().toString());
      if (listing == null) return new Refused("LISTING_NOT_FOUND", "listing " + state.listingId() + " does not exist");
      GenericRecord changed = new GenericData.Record(schemas.branch("ListingEvent", "payload", "ListingInfoChanged"));
      changed.put("contact", details.get("contact") != null ? details.get("contact") : listing.contact());
      changed.put("address", details.get("address") != null ? details.get("address") : listing.address());
      changed.put("businessHours", details.get("businessHours") != null ? details.get("businessHours") : listing.businessHours());
      change = new ListingChange(listing.id(), listing.version() + 1, changed);
    } else {
      change = new ListingChange(Ids.listingFor(wire.get("applicationId").toString()), 1, payload("ListingPublished", "listing", details, "ListingEvent"));
    }
    GenericRecord approved = snapshotOf(state.snapshot(), change.id(), details);
    GenericRecord event = payload("ApplicationApproved", "adminId", gate.adminId());
    event.put("note", note);
    event.put("listingId", change.id());
    event.put("application", approved);
    return new Accepted(state.next(Stored.Status.APPROVED, approved), event, "APPLICATION_APPROVED", null, change);
  }

  private Decision reject(Stored state, GenericRecord wire, GenericRecord payload, long at) {
    AdminGate gate = adminGate(state, wire, payload, at);
    if (gate.refused() != null) return gate.refused();
    String reason = Rules.reason((CharSequence) payload.get("reason"));
    if (reason == null) return new Refused("REASON_REQUIRED", "reason: a rejection needs a reason of 1 to 1000 characters");
    GenericRecord event = payload("ApplicationRejected", "adminId", gate.adminId());
    event.put("reason", reason);
    return new Accepted(state.next(Stored.Status.REJECTED, state.snapshot()), event, "APPLICATION_REJECTED", reason, null);
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
      GenericRecord rejected = payload("CommandRejected", "commandType", ((GenericRecord) wire.get("payload")).getSchema().getName());
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
    if (accepted.template() != null) {
      String notificationId = Ids.derived(scope, "notification/" + accepted.template());
      GenericRecord request = new GenericData.Record(notification);
      request.put("notificationId", notificationId);
      request.put("recipientId", next.applicantId());
      request.put("template", schemas.symbol("NotificationTemplate", accepted.template()));
      request.put("applicationId", applicationId);
      request.put("contentType", next.snapshot().get("contentType"));
      request.put("reason", accepted.reason());
      request.put("occurredAt", at);
      send(input, NOTIFICATIONS, next.applicantId(), notificationId, codec.wire(settings.notifications().schemaId(), request));
    }
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

  private GenericRecord snapshotOf(GenericRecord from, Object listingId, GenericRecord details) {
    GenericRecord application = new GenericData.Record(snapshot);
    application.put("applicantId", from.get("applicantId"));
    application.put("kind", from.get("kind"));
    application.put("listingId", listingId);
    application.put("contentType", from.get("contentType"));
    application.put("details", details);
    return application;
  }

  private GenericRecord payload(String name, String field, Object value) {
    return payload(name, field, value, "ApplicationEvent");
  }

  /** A branch of `envelope`'s payload union, its first field set. */
  private GenericRecord payload(String name, String field, Object value, String envelope) {
    GenericRecord record = new GenericData.Record(schemas.branch(envelope, "payload", name));
    record.put(field, value);
    return record;
  }
}
