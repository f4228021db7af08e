package backoffice.streams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParser;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The repository's .avsc files, parsed together so that the shared records (ListingDetails,
 * Contact, ...) are one type: a details record decoded from a command goes into an event as it is.
 */
final class Schemas {
  private static final String NAMESPACE = "platform.backoffice.";
  private final Map<String, Schema> named = new HashMap<>();

  Schemas(Path avroDir) {
    SchemaParser parser = new SchemaParser();
    try (Stream<Path> files = Files.list(avroDir)) {
      for (Path file : files.filter((path) -> path.toString().endsWith(".avsc")).sorted().toList()) parser.parse(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Schema schema : parser.getParsedNamedSchemas()) named.put(schema.getFullName(), schema);
  }

  Schema get(String name) {
    Schema schema = named.get(NAMESPACE + name);
    if (schema == null) throw new IllegalArgumentException("no Avro type " + name + " in the avro folder");
    return schema;
  }

  /** The branch of a record's union field that is the named record. */
  Schema branch(String record, String field, String name) {
    List<Schema> types = get(record).getField(field).schema().getTypes();
    return types.stream().filter((type) -> type.getName().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(record + "." + field + " has no branch " + name));
  }

  /** A record of the `name` branch of `record`'s payload union, its first field set. */
  GenericRecord branchRecord(String record, String name, String field, Object value) {
    GenericRecord branch = new GenericData.Record(branch(record, "payload", name));
    branch.put(field, value);
    return branch;
  }

  GenericData.EnumSymbol symbol(String enumName, String symbol) {
    return new GenericData.EnumSymbol(get(enumName), symbol);
  }
}
