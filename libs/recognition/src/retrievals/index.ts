export * from './retrieval-serials';
