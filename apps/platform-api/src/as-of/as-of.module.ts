import { Global, Module } from '@nestjs/common';
import { AsOfHistoryController } from './as-of-history.controller';
import { AsOfReads } from './as-of-reads';
import { AsOfService } from './as-of.service';

/** As-of reads and `_history` from the log (docs/as-of.md). Global: the search and
 * `$everything` controllers hand a query with `_at` to {@link AsOfReads}. */
@Global()
@Module({
  controllers: [AsOfHistoryController],
  providers: [AsOfService, AsOfReads],
  exports: [AsOfReads, AsOfService],
})
export class AsOfModule {}
