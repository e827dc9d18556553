// A user's own agent, written against the installed @agentmesh/runtime.
const { defineAgent } = require('@agentmesh/runtime');

module.exports = defineAgent({
  name: 'order-checker',
  consumes: ['orders.placed'],
  produces: ['orders.accepted'],
  async handle(event) {
    return [{ topic: 'orders.accepted', value: { orderId: event.value.orderId, accepted: event.value.totalCents > 0 } }];
  },
});
