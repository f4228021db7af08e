package backoffice.streams;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The rules of src/processors/decider/decide.ts at the coarse level, over the peer's stored
 * application: the checks in the decider's order, each refusal with the decider's code.
 */
final class Decider {
  sealed interface Decision permits Refused, Accepted {}

  record Refused(String code, String message) implements Decision {}

  /** The new state, the event's payload, the notification's template (or none) and reason, the listing change (or none). */
  record Accepted(Stored next, GenericRecord payload, String template, String reason, ListingChange listing) implements Decision {}

  record ListingChange(String id, int version, GenericRecord payload) {}

  private final Schemas schemas;
  private final Tokens tokens;
  private final Schema snapshot;
  /** A listing by id, from the global stores; null when unknown. */
  private final Function<String, Listing> listings;

  Decider(Schemas schemas, Tokens tokens, Function<String, Listing> listings) {
    this.schemas = schemas;
    this.tokens = tokens;
    this.listings = listings;
    snapshot = schemas.get("ApplicationSnapshot");
  }

  /** What the command does to the application (null when there is none yet), decided at `at`, the record's timestamp. */
  Decision decide(Stored state, GenericRecord wire, long at) {
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
      Listing listing = listings.apply(listingId.toString());
      if (listing == null) return new Refused("LISTING_NOT_FOUND", "listing " + listingId + " does not exist");
      if (!listing.ownerId().equals(applicantId)) return new Refused("FORBIDDEN", "listing " + listingId + " is not owned by applicant " + applicantId);
      if (!listing.contentType().equals(contentType)) return new Refused("VALIDATION_FAILED", "contentType: must be " + listing.contentType());
    }
    GenericRecord application = snapshotOf(payload, listingId, details);
    return new Accepted(new Stored(Stored.Status.PENDING, 1, application), schemas.branchRecord("ApplicationEvent", "ApplicationSubmitted", "application", application), "APPLICATION_RECEIVED", null, null);
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
    GenericRecord event = schemas.branchRecord("ApplicationEvent", "ApplicationAmended", "applicantId", payload.get("applicantId"));
    event.put("details", details);
    return new Accepted(state.next(Stored.Status.PENDING, snapshotOf(state.snapshot(), state.listingId(), details)), event, null, null, null);
  }

  private Decision withdraw(Stored state, GenericRecord payload) {
    Refused refused = applicantGate(state, payload);
    if (refused != null) return refused;
    return new Accepted(state.next(Stored.Status.WITHDRAWN, state.snapshot()), schemas.branchRecord("ApplicationEvent", "ApplicationWithdrawn", "applicantId", payload.get("applicantId")), null, null, null);
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
      Listing listing = listings.apply(state.listingId().toString());
      if (listing == null) return new Refused("LISTING_NOT_FOUND", "listing " + state.listingId() + " does not exist");
      GenericRecord changed = new GenericData.Record(schemas.branch("ListingEvent", "payload", "ListingInfoChanged"));
      changed.put("contact", details.get("contact") != null ? details.get("contact") : listing.contact());
      changed.put("address", details.get("address") != null ? details.get("address") : listing.address());
      changed.put("businessHours", details.get("businessHours") != null ? details.get("businessHours") : listing.businessHours());
      change = new ListingChange(listing.id(), listing.version() + 1, changed);
    } else {
      change = new ListingChange(Ids.listingFor(wire.get("applicationId").toString()), 1, schemas.branchRecord("ListingEvent", "ListingPublished", "listing", details));
    }
    GenericRecord approved = snapshotOf(state.snapshot(), change.id(), details);
    GenericRecord event = schemas.branchRecord("ApplicationEvent", "ApplicationApproved", "adminId", gate.adminId());
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
    GenericRecord event = schemas.branchRecord("ApplicationEvent", "ApplicationRejected", "adminId", gate.adminId());
    event.put("reason", reason);
    return new Accepted(state.next(Stored.Status.REJECTED, state.snapshot()), event, "APPLICATION_REJECTED", reason, null);
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
}
