export * from './patient-identity.commands';
export * from './patient-identity.state';
export * from './patient-identity.decider';
export * from './patient-identity.handler';
export * from './identity-request';
export * from './patient-links.projection';
export * from './patient-links.queries';
