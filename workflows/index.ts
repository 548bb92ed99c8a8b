// The workflow bundle's entry: every workflow the worker registers is exported here.
export { callbackWorkflow } from './callback-workflow.ts';
export { taskWorkflow } from './task-workflow.ts';
