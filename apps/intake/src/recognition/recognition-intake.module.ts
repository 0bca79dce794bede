import { Module } from '@nestjs/common';
import { ALLIANCE_OPERATORS, AllianceOperators } from '../alliance/alliance-operators';
import { RecognitionRulesController } from './recognition-rules.controller';

/** The rules of mutual recognition, loaded by the hub's operators (the alliance operators'
 * keys, `YILIAN_ALLIANCE_OPERATORS`). */
@Module({
  controllers: [RecognitionRulesController],
  providers: [{ provide: ALLIANCE_OPERATORS, useFactory: () => AllianceOperators.fromEnv(process.env) }],
})
export class RecognitionIntakeModule {}
