package backoffice.streams;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The bench's Kafka Streams peer (docs/performance.md): what a Kafka engineer would build instead
 * of the processor, with the state in RocksDB stores and their changelogs instead of PostgreSQL.
 * Prints one JSON line per state change on stdout (the bench waits for RUNNING).
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    Settings settings = Settings.parse(args);
    String publicKey = System.getenv("AUTH_PUBLIC_KEY");
    if (publicKey == null || publicKey.isBlank()) throw new IllegalArgumentException("AUTH_PUBLIC_KEY is required");
    Schemas schemas = new Schemas(settings.avroDir());
    Tokens tokens = new Tokens(publicKey, settings.issuer(), settings.audience());

    KafkaStreams streams = new KafkaStreams(topology(settings, schemas, tokens), properties(settings));
    CountDownLatch stopped = new CountDownLatch(1);
    streams.setStateListener((to, from) -> {
      System.out.println("{\"event\":\"state\",\"from\":\"" + from + "\",\"to\":\"" + to + "\"}");
      if (to == KafkaStreams.State.ERROR || to == KafkaStreams.State.NOT_RUNNING) stopped.countDown();
    });
    streams.setUncaughtExceptionHandler((error) -> {
      error.printStackTrace();
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> streams.close(Duration.ofSeconds(10))));
    streams.start();
    stopped.await();
    if (streams.state() == KafkaStreams.State.ERROR) {
      streams.close(Duration.ofSeconds(10));
      System.exit(1);
    }
  }

  private static Properties properties(Settings settings) {
    Properties properties = new Properties();
    properties.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
    properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    // One broker: the changelog topics of the stores get one replica.
    properties.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    properties.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, settings.threads());
    properties.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().toString());
    return properties;
  }

  private static Topology topology(Settings settings, Schemas schemas, Tokens tokens) {
    Topology topology = new Topology();
    String decide = "decide";
    topology.addSource("commands", new ByteArrayDeserializer(), new ByteArrayDeserializer(), settings.commands().topic());
    topology.addProcessor(decide, () -> new CommandProcessor(schemas, settings, tokens), "commands");
    for (String store : new String[] {CommandProcessor.APPLICATIONS, CommandProcessor.COMMAND_IDS}) {
      topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), Serdes.String(), Serdes.ByteArray()), decide);
    }
    ByteArraySerializer bytes = new ByteArraySerializer();
    topology.addSink(CommandProcessor.EVENTS, settings.events().topic(), bytes, bytes, decide);
    topology.addSink(CommandProcessor.NOTIFICATIONS, settings.notifications().topic(), bytes, bytes, decide);
    topology.addSink(CommandProcessor.DLQ, settings.dlq(), bytes, bytes, decide);
    for (String type : Settings.CONTENT_TYPES) {
      String name = CommandProcessor.listings(type);
      String topic = settings.listings().get(type).topic();
      topology.addSink(name, topic, bytes, bytes, decide);
      // Each task looks up any listing (an INFO_CHANGE names one published from another partition).
      topology.addGlobalStore(
          Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.ByteArray()).withLoggingDisabled(),
          name + "-source", new StringDeserializer(), new ByteArrayDeserializer(), topic, name + "-update", () -> new LastRecord(name));
    }
    return topology;
  }

  /** Keeps a global store at the last record of each key of its topic. */
  private static final class LastRecord implements Processor<String, byte[], Void, Void> {
    private final String storeName;
    private KeyValueStore<String, byte[]> store;

    LastRecord(String storeName) {
      this.storeName = storeName;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, byte[]> record) {
      if (record.key() != null && record.value() != null) store.put(record.key(), record.value());
    }
  }
}
