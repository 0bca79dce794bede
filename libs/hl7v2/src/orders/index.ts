export {
  mapOrderMessage,
  ORDER_MESSAGE_TYPES,
  type OrderDraft,
  type OrderMappingContext,
  type OrderMappingResult,
  type OrderMessageType,
} from './order.mapper';
export { withOrderResponse, type OrderNote } from './order-response';
export { orderStatus, requestedControl, responseControl } from './order-control';
