// The fleet model: what `mesh status`, `mesh agents show` and the console know about the mesh.
export { buildFleet, type Fleet, type FleetAgent, type FleetInput, type FleetInstance, type PartitionLagView, type PartitionOffsets } from './model';
export { FleetReader, formatFigure, type FleetReaderOptions, type FleetView } from './fleet-reader';
export { NoMeshError, readFleet } from './reader';
export { MeshRecords, SAGA_STUCK_TOPIC, type FleetReadNotes } from './mesh-records';
export { AlertTracker, evaluateConditions, type ActiveAlert, type AlertCondition, type AlertTransition } from './alerts';
export { ALERTS_TOPIC, alertRecord } from './alert-publisher';
export { fleetHeartbeat, type FleetHeartbeat } from './heartbeat';
export { DEFAULT_TTL, type Liveness, type LivenessTtl } from './liveness';
export { detectAnomalies, type Anomaly, type MetricWindow } from './anomalies';
export { classifyTrend, type HealthTrend } from './trend';
