export * from './kafka-projector';
