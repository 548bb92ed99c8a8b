// The workflow bundle's entry: every workflow the worker registers is exported here.
export { taskWorkflow } from './task-workflow.ts';
