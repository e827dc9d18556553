"""A produce, consume, group and admin session with confluent-kafka-python (librdkafka), for the broker's
conformance suite: prints what each step answered as one JSON object on stdout; librdkafka's debug log
(protocol, broker, group, admin) goes to stderr, where the suite looks for protocol errors."""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic

bootstrap, topic, group = sys.argv[1], sys.argv[2], sys.argv[3]
common = {'bootstrap.servers': bootstrap, 'debug': 'protocol,broker,cgrp,topic,fetch,admin'}
out = {}


def error_code(future):
    try:
        future.result()
        return 0
    except KafkaException as e:
        return e.args[0].code()


admin = AdminClient(common)
created = admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1, config={'message.timestamp.difference.max.ms': '3600000'})], operation_timeout=10)
out['create'] = error_code(created[topic])
bad = admin.create_topics([NewTopic(topic + '-bad', num_partitions=1, replication_factor=1, config={'retention.ms': 'soon'})])
out['createBadConfig'] = error_code(bad[topic + '-bad'])

resource = ConfigResource('topic', topic)
described = admin.describe_configs([resource])[resource].result()
out['topicConfigs'] = [[name, entry.value, int(entry.source)] for name, entry in described.items()]
broker_resource = ConfigResource('broker', '1')
out['brokerConfigs'] = {name: entry.value for name, entry in admin.describe_configs([broker_resource])[broker_resource].result().items()}
alter = ConfigResource('topic', topic, set_config={'retention.ms': '120000'})
out['alter'] = error_code(admin.alter_configs([alter])[alter])
out['retentionAfterAlter'] = admin.describe_configs([resource])[resource].result()['retention.ms'].value

out['createPartitionsMissingBroker'] = error_code(admin.create_partitions([NewPartitions(topic, 3, replica_assignment=[[2]])])[topic])
out['createPartitions'] = error_code(admin.create_partitions([NewPartitions(topic, 3)])[topic])
out['partitions'] = len(admin.list_topics(topic, timeout=10).topics[topic].partitions)

producer = Producer({**common, 'enable.idempotence': True, 'linger.ms': 5})
for i in range(300):
    producer.produce(topic, key=str(i), value='value-%d' % i)
out['unflushed'] = producer.flush(20)

consumer = Consumer({**common, 'group.id': group, 'auto.offset.reset': 'earliest', 'enable.auto.commit': False})
consumer.subscribe([topic])
consumed = 0
deadline = time.time() + 30
while consumed < 300 and time.time() < deadline:
    message = consumer.poll(0.5)
    if message is not None and not message.error():
        consumed += 1
out['consumed'] = consumed
consumer.commit(asynchronous=False)
committed = consumer.committed([TopicPartition(topic, i) for i in range(3)], timeout=10)
out['committed'] = sum(tp.offset for tp in committed if tp.offset >= 0)
consumer.close()

out['groupListed'] = any(g.id == group for g in admin.list_groups(timeout=10))
out['delete'] = error_code(admin.delete_topics([topic], operation_timeout=10)[topic])
print(json.dumps(out))
