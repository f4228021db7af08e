package backoffice.streams;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.avro.generic.GenericRecord;

/**
 * The coarse half of src/processors/decider/validate.ts: the details' shape fits the kind and
 * content type, a name, a phone number and email address of the service's formats, a 5-digit
 * postal code, a reason of 1 to 1000 characters. Business hours, dates, numbers and text
 * lengths other than the reason's are not checked.
 */
final class Rules {
  private static final Pattern PHONE = Pattern.compile("^\\+?[0-9]+(?:[- ][0-9]+)*$");
  private static final Pattern EMAIL_LOCAL = Pattern.compile("^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$");
  private static final Pattern EMAIL_DOMAIN = Pattern.compile("^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$");
  private static final Pattern POSTAL_CODE = Pattern.compile("^[0-9]{5}$");
  private static final Map<String, String> SPECIFIC = Map.of("RESTAURANT", "RestaurantDetails", "PERFORMANCE", "PerformanceDetails", "EXHIBITION", "ExhibitionDetails");
  static final int TEXT_MAX = 1000;

  private Rules() {}

  static List<String> details(GenericRecord details, String kind, String contentType) {
    String expected = kind.equals("NEW_LISTING") ? "ListingDetails" : "InfoChangeDetails";
    if (!details.getSchema().getName().equals(expected)) return List.of("details: must be " + expected + " for a " + kind + " application");
    List<String> problems = new ArrayList<>();
    if (expected.equals("ListingDetails")) {
      if (details.get("name").toString().isBlank()) problems.add("details.name: must not be blank");
      contact((GenericRecord) details.get("contact"), problems);
      address((GenericRecord) details.get("address"), problems);
      String specific = ((GenericRecord) details.get("specific")).getSchema().getName();
      if (!specific.equals(SPECIFIC.get(contentType))) problems.add("details.specific: must be " + SPECIFIC.get(contentType));
    } else {
      if (details.get("contact") == null && details.get("address") == null && details.get("businessHours") == null) {
        problems.add("details: an INFO_CHANGE must set at least one of contact, address, businessHours");
      }
      if (details.get("contact") != null) contact((GenericRecord) details.get("contact"), problems);
      if (details.get("address") != null) address((GenericRecord) details.get("address"), problems);
    }
    return problems;
  }

  private static void contact(GenericRecord contact, List<String> problems) {
    String phone = contact.get("phone").toString();
    long digits = phone.chars().filter(Character::isDigit).count();
    if (!PHONE.matcher(phone).matches() || digits < 9 || digits > 15) problems.add("details.contact.phone: must be a phone number such as 02-123-4567");
    String email = contact.get("email").toString();
    int at = email.lastIndexOf('@');
    if (at < 1 || at > 64 || email.length() > 254 || !EMAIL_LOCAL.matcher(email.substring(0, at)).matches() || !EMAIL_DOMAIN.matcher(email.substring(at + 1)).matches()) {
      problems.add("details.contact.email: must be an email address such as owner@example.com");
    }
  }

  private static void address(GenericRecord address, List<String> problems) {
    if (!POSTAL_CODE.matcher(address.get("postalCode").toString()).matches()) problems.add("details.address.postalCode: must be a 5-digit postal code");
    if (address.get("road").toString().isBlank()) problems.add("details.address.road: must not be blank");
  }

  /** The reason trimmed, or null when there is none or it is too long. */
  static String reason(CharSequence reason) {
    String trimmed = reason.toString().strip();
    return trimmed.isEmpty() || trimmed.codePointCount(0, trimmed.length()) > TEXT_MAX ? null : trimmed;
  }
}
