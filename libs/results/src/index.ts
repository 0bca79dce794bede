export * from './lab-report.commands';
export * from './lab-report.decider';
export * from './lab-report.handler';
export * from './lab-report.normalize';
export * from './lab-report.projection';
export * from './lab-report.state';
export * from './sql-executor';
export * from './imaging';
