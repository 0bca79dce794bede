export * from './recognition-decision.commands';
export * from './recognition-decision.decider';
export * from './recognition-decision.handler';
export * from './decline-reasons';
