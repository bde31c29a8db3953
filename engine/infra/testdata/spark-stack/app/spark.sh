trap 'echo "spark $SPARK_MODE stopping"; exit 0' TERM INT
echo "spark $SPARK_MODE started${SPARK_MASTER_URL:+, master $SPARK_MASTER_URL}"
while :; do sleep 1 & wait $!; done
