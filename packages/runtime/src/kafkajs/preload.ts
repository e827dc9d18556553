import { installFastKafkajs } from './install';

// First thing the runtime does, before any of its modules requires kafkajs: the partition grouping
// can only be replaced before kafkajs's producer is loaded (see install.ts).
installFastKafkajs();
