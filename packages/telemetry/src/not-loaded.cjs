// Stands in for an instrumentation or resource detector that
// @opentelemetry/auto-instrumentations-node imports but that is not enabled
// (src/instrumentations.ts): the package skips it by the same OTEL_NODE_* variables, so
// nothing here is ever read.
module.exports = {};
