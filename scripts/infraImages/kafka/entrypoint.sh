#!/bin/bash
set -euo pipefail
conf=/opt/kafka/config/server.properties
: > "$conf"
# KAFKA_FOO_BAR=x → foo.bar=x (as the apache/kafka image reads its environment).
while IFS='=' read -r key value; do
  case "$key" in KAFKA_HEAP_OPTS | KAFKA_OPTS) continue ;; esac
  name=$(printf '%s' "${key#KAFKA_}" | tr 'A-Z' 'a-z' | tr '_' '.')
  printf '%s=%s\n' "$name" "$value" >> "$conf"
done < <(env | grep '^KAFKA_' || true)
logdirs=$(sed -n 's/^log\.dirs=//p' "$conf")
logdirs=${logdirs:-/tmp/kraft-combined-logs}
java=(java $KAFKA_HEAP_OPTS ${KAFKA_OPTS:-} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true
  -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties -cp '/opt/kafka/libs/*')
if [ ! -f "${logdirs%%,*}/meta.properties" ]; then
  echo "formatting KRaft storage in $logdirs"
  "${java[@]}" kafka.tools.StorageTool format -t "${CLUSTER_ID:?CLUSTER_ID must be set}" -c "$conf"
fi
exec "${java[@]}" kafka.Kafka "$conf"
