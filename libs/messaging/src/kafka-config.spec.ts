import { ConfigError } from '@yilian/config';
import { readKafkaConfig } from './kafka-config';

const env = { KAFKA_BROKERS: 'k1:9092, k2:9092', KAFKA_CLIENT_ID: 'relay', KAFKA_TOPIC_PREFIX: 'prod.' };

describe('readKafkaConfig', () => {
  it('reads brokers as a list, the client id and the prefix', () => {
    expect(readKafkaConfig(env)).toEqual({
      brokers: ['k1:9092', 'k2:9092'],
      clientId: 'relay',
      topicPrefix: 'prod.',
    });
  });

  it('accepts an empty prefix, which is not the same as none', () => {
    expect(readKafkaConfig({ ...env, KAFKA_TOPIC_PREFIX: '' }).topicPrefix).toBe('');
  });

  it.each(['KAFKA_BROKERS', 'KAFKA_CLIENT_ID', 'KAFKA_TOPIC_PREFIX'])(
    'names %s when it is missing',
    (name) => {
      const without = { ...env, [name]: undefined };
      expect(() => readKafkaConfig(without)).toThrow(ConfigError);
      expect(() => readKafkaConfig(without)).toThrow(name);
    },
  );

  it.each(['', ' , ', 'k1', 'k1:port', 'k1:9092;k2:9092'])(
    'rejects KAFKA_BROKERS=%j, naming it',
    (brokers) => {
      expect(() => readKafkaConfig({ ...env, KAFKA_BROKERS: brokers })).toThrow(/KAFKA_BROKERS/);
    },
  );

  it('rejects a prefix Kafka would not take in a topic name', () => {
    expect(() => readKafkaConfig({ ...env, KAFKA_TOPIC_PREFIX: 'a b/' })).toThrow(/KAFKA_TOPIC_PREFIX/);
  });
});
