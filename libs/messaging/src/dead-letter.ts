import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { DEAD_LETTER_SUFFIX, fromCloudEvent, type RecordedEvent } from '@yilian/contracts';
import { errorMessage } from './logger';

/** Headers added to a dead-lettered message, beside its original ones. */
export const DLT_HEADERS = {
  reason: 'yl_dlt_reason',
  group: 'yl_dlt_group',
  topic: 'yl_dlt_topic',
  partition: 'yl_dlt_partition',
  offset: 'yl_dlt_offset',
} as const;

const MAX_REASON_LENGTH = 2000;

export function deadLetterTopic(topic: string): string {
  return topic + DEAD_LETTER_SUFFIX;
}

/** The original message (key, value, headers, timestamp) plus where it came from and why. */
export function deadLetterMessage(
  message: KafkaMessage,
  origin: { groupId: string; topic: string; partition: number },
  reason: string,
): Message {
  return {
    key: message.key,
    value: message.value,
    timestamp: message.timestamp,
    headers: {
      ...message.headers,
      [DLT_HEADERS.reason]: reason.slice(0, MAX_REASON_LENGTH),
      [DLT_HEADERS.group]: origin.groupId,
      [DLT_HEADERS.topic]: origin.topic,
      [DLT_HEADERS.partition]: String(origin.partition),
      [DLT_HEADERS.offset]: message.offset,
    },
  };
}

/** Header values as text; of a repeated header, the first. */
export function headerText(headers: IHeaders | undefined): Record<string, string | undefined> {
  const text: Record<string, string | undefined> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value !== undefined) text[name] = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  }
  return text;
}

export type Decoded = { readonly event: RecordedEvent } | { readonly malformed: string };

/** Rebuilds the recorded event, or says why the message is not one (any failure counts: a
 * missing header, a value that is not JSON, a stream position that is not a number). */
export function decodeMessage(message: KafkaMessage): Decoded {
  try {
    return { event: fromCloudEvent(headerText(message.headers), message.value?.toString('utf8') ?? '') };
  } catch (e) {
    return { malformed: errorMessage(e) };
  }
}

/** A reason fit for a log line: a JSON parser's message quotes the value, which may hold
 * patient data, so only its first clause is kept. */
export function loggableReason(reason: string): string {
  return reason.startsWith('value is not JSON') ? 'value is not JSON' : reason.slice(0, 300);
}
