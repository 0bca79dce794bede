/**
 * The CDS Hooks 2.0 JSON shapes this service speaks (https://cds-hooks.hl7.org/2.0/): the
 * discovery document, the hook request (order-select / order-sign contexts of the CDS Hooks
 * Library), the response's cards, and feedback. Optional attributes are omitted when they have
 * no value — never null or empty (spec: "Use of JSON").
 */
import type { fhir4 } from '@yilian/contracts';

export type CdsHook = 'order-select' | 'order-sign';

export interface CdsServiceDescription {
  readonly hook: CdsHook;
  readonly title: string;
  readonly description: string;
  readonly id: string;
  readonly prefetch?: Readonly<Record<string, string>>;
  readonly usageRequirements?: string;
}

export interface CdsDiscovery {
  readonly services: readonly CdsServiceDescription[];
}

export interface CdsCoding {
  readonly system?: string;
  readonly code: string;
  readonly display?: string;
}

export interface FhirAuthorization {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly scope: string;
  readonly subject: string;
  readonly patient?: string;
}

/** order-select and order-sign contexts (selections: order-select only). */
export interface OrderContext {
  readonly userId: string;
  readonly patientId: string;
  readonly encounterId?: string;
  readonly selections?: readonly string[];
  readonly draftOrders: fhir4.Bundle;
}

export interface CdsHookRequest {
  readonly hook: CdsHook;
  readonly hookInstance: string;
  readonly fhirServer?: string;
  readonly fhirAuthorization?: FhirAuthorization;
  readonly context: OrderContext;
  readonly prefetch?: Readonly<Record<string, unknown>>;
}

export interface CdsAction {
  readonly type: 'create' | 'update' | 'delete';
  readonly description: string;
  readonly resource?: fhir4.Resource;
  /** A relative reference (`Type/id`), for a delete (CDS Hooks 2.0 Action: a string). */
  readonly resourceId?: string;
}

export interface CdsSuggestion {
  readonly label: string;
  readonly uuid?: string;
  readonly isRecommended?: boolean;
  readonly actions?: readonly CdsAction[];
}

export interface CdsLink {
  readonly label: string;
  readonly url: string;
  readonly type: 'absolute' | 'smart';
  readonly appContext?: string;
}

export interface CdsCard {
  readonly uuid?: string;
  /** One sentence, fewer than 140 characters. */
  readonly summary: string;
  /** GitHub-flavoured Markdown. */
  readonly detail?: string;
  readonly indicator: 'info' | 'warning' | 'critical';
  readonly source: {
    readonly label: string;
    readonly url?: string;
    readonly icon?: string;
    readonly topic?: CdsCoding;
  };
  readonly suggestions?: readonly CdsSuggestion[];
  readonly selectionBehavior?: 'at-most-one' | 'any';
  readonly overrideReasons?: readonly CdsCoding[];
  readonly links?: readonly CdsLink[];
}

export interface CdsResponse {
  readonly cards: readonly CdsCard[];
}

export interface CdsFeedback {
  readonly card: string;
  readonly outcome: 'accepted' | 'overridden';
  readonly acceptedSuggestions?: readonly { readonly id: string }[];
  readonly overrideReason?: { readonly reason?: CdsCoding; readonly userComment?: string };
  readonly outcomeTimestamp: string;
}

export interface CdsFeedbackRequest {
  readonly feedback: readonly CdsFeedback[];
}
