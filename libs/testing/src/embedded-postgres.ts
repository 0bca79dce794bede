// The embedded PostgreSQL is used by the hub itself (npm start) and by the test harness.
export * from '../../runtime/src/embedded-postgres';
