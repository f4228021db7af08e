#!/bin/bash
# One-shot, before Kafka's first start: makes what the secured compose setup needs in $SECRETS
# (the `kafka-secrets` volume), once; nothing secret is in the repository. With the JDK's keytool,
# which the apache/kafka image carries:
#   - a CA (ca.pem for clients; its key stays in ca.p12) and Kafka's PKCS12 keystore, its
#     certificate signed by the CA for the names `kafka` (containers) and `localhost` (the host);
#   - a random password per SCRAM user (<user>.password), for admin (super user), backoffice (the
#     service), schema-registry and operator (the CLI on the host);
#   - the broker's JAAS file and client settings for the admin tools (admin.properties).
set -euo pipefail
cd "$SECRETS"
if [ -e .complete ]; then echo "secrets exist"; exit 0; fi
random() { tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32 || true; }
umask 077
random > keystore.password
STOREPASS="$(cat keystore.password)"
for user in admin backoffice schema-registry operator; do random > "$user.password"; done

keytool -genkeypair -alias ca -dname "CN=backoffice-compose-ca" -keyalg RSA -keysize 2048 -validity 825 \
  -ext bc:c -keystore ca.p12 -storetype PKCS12 -storepass "$STOREPASS"
keytool -exportcert -rfc -alias ca -keystore ca.p12 -storepass "$STOREPASS" -file ca.pem
keytool -genkeypair -alias kafka -dname "CN=kafka" -keyalg RSA -keysize 2048 -validity 825 \
  -keystore kafka.keystore.p12 -storetype PKCS12 -storepass "$STOREPASS"
keytool -certreq -alias kafka -keystore kafka.keystore.p12 -storepass "$STOREPASS" -file kafka.csr
keytool -gencert -alias ca -keystore ca.p12 -storepass "$STOREPASS" -infile kafka.csr -outfile kafka.pem -rfc -validity 825 \
  -ext SAN=dns:kafka,dns:localhost -ext EKU=serverAuth,clientAuth
keytool -importcert -noprompt -alias ca -file ca.pem -keystore kafka.keystore.p12 -storepass "$STOREPASS"
keytool -importcert -noprompt -alias kafka -file kafka.pem -keystore kafka.keystore.p12 -storepass "$STOREPASS"
rm kafka.csr

ADMIN="$(cat admin.password)"
# Clients log in with SCRAM on INTERNAL and EXTERNAL; the broker's own connections as admin. The
# controller listener takes PLAIN with a static admin: SCRAM credentials live in the metadata
# log, which a controller reads only once it runs.
cat > kafka_server_jaas.conf <<JAAS
internal.KafkaServer {
  org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$ADMIN";
};
external.KafkaServer {
  org.apache.kafka.common.security.scram.ScramLoginModule required;
};
controller.KafkaServer {
  org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="$ADMIN" user_admin="$ADMIN";
};
JAAS
cat > admin.properties <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$ADMIN";
ssl.truststore.type=PEM
ssl.truststore.location=$SECRETS/ca.pem
PROPS
# Readable by the containers' users (uid 1000: appuser in the Kafka and registry images, node in the service's).
chown -R 1000:1000 .
chmod 0444 ca.pem
touch .complete
echo "secrets made"
