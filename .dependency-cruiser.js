/** Dependency rules, checked in `npm test` (npm run depcheck). */
const DOMAIN = '^(contracts|libs/(results|referrals|alliance|patients|recognition))/src';
module.exports = {
  forbidden: [
    {
      name: 'domain-free-of-frameworks',
      comment: 'Domain code (contracts, deciders, mappers) imports no NestJS, kafkajs or pg.',
      severity: 'error',
      from: { path: DOMAIN, pathNot: '\\.(int|e2e)\\.spec\\.ts$' },
      to: { path: 'node_modules/(@nestjs|kafkajs|pg|express)/' },
    },
    {
      name: 'apps-do-not-import-each-other',
      comment: 'Apps are thin shells; only the hub composes them.',
      severity: 'error',
      from: { path: '^apps/(intake|relay|projector|platform-api|cli)/' },
      to: { path: '^apps/', pathNot: ['^apps/$1/'] },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^(libs|contracts)/' },
      to: { path: '^apps/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^(libs|contracts|apps)/', pathNot: '\\.spec\\.ts$' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|\\.cache|\\.tmp|data)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
