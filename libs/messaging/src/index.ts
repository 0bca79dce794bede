export * from './consumer';
export { DLT_HEADERS, deadLetterTopic } from './dead-letter';
export * from './kafka-config';
export * from './logger';
export * from './publisher';
export { fenceEarlierIncarnations } from './group-fencing';
