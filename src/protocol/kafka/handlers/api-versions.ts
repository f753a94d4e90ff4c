/** ApiVersions: read off the endpoint's registry (the codec's APIs that have a handler). */
import { ApiVersions } from '../api/api-versions.js';
import { apiVersionsResponse } from '../api/api-versions-answer.js';
import { defineHandler } from '../server/handler.js';

export const apiVersionsHandler = defineHandler(ApiVersions, (_req, { kafka }) => apiVersionsResponse(kafka.registry));
