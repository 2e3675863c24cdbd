import type { GatewayModule } from '../graphql/module';
import { userModule } from './user/user.module';

/** Every feature module of the gateway, in the order they start. */
export const MODULES: GatewayModule[] = [userModule];
