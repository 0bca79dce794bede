export * from './alliance.commands';
export * from './alliance.state';
export * from './alliance.decider';
export * from './membership';
