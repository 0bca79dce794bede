export * from './imaging.commands';
export * from './imaging.decider';
export * from './imaging.handler';
export * from './imaging.normalize';
export * from './imaging.projection';
export * from './imaging.state';
export * from './imaging-study.summary';
export * from './imaging-study.merge';
