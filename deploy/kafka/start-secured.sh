#!/bin/bash
# Kafka's start in the secured compose setup: the image's own start (/etc/kafka/docker/run), after
# formatting the storage on the first start with the SCRAM users' credentials
# (`kafka-storage format --add-scram`), which the image's formatting cannot add. The image's run
# then finds the storage formatted and starts the broker.
set -euo pipefail
SECRETS=/etc/kafka/secrets
if [ ! -e "$KAFKA_LOG_DIRS/meta.properties" ]; then
  bootstrap=$(mktemp)
  cat > "$bootstrap" <<PROPS
process.roles=$KAFKA_PROCESS_ROLES
node.id=$KAFKA_NODE_ID
controller.quorum.voters=$KAFKA_CONTROLLER_QUORUM_VOTERS
controller.listener.names=$KAFKA_CONTROLLER_LISTENER_NAMES
listeners=$KAFKA_LISTENERS
listener.security.protocol.map=$KAFKA_LISTENER_SECURITY_PROTOCOL_MAP
inter.broker.listener.name=$KAFKA_INTER_BROKER_LISTENER_NAME
sasl.enabled.mechanisms=$KAFKA_SASL_ENABLED_MECHANISMS
sasl.mechanism.inter.broker.protocol=$KAFKA_SASL_MECHANISM_INTER_BROKER_PROTOCOL
sasl.mechanism.controller.protocol=$KAFKA_SASL_MECHANISM_CONTROLLER_PROTOCOL
listener.name.controller.sasl.enabled.mechanisms=$KAFKA_LISTENER_NAME_CONTROLLER_SASL_ENABLED_MECHANISMS
log.dirs=$KAFKA_LOG_DIRS
PROPS
  scram=()
  for user in admin backoffice schema-registry operator; do
    for mechanism in SCRAM-SHA-256 SCRAM-SHA-512; do
      scram+=(--add-scram "$mechanism=[name=$user,password=$(cat "$SECRETS/$user.password")]")
    done
  done
  /opt/kafka/bin/kafka-storage.sh format --cluster-id="$CLUSTER_ID" -c "$bootstrap" "${scram[@]}"
  rm "$bootstrap"
fi
exec /etc/kafka/docker/run
