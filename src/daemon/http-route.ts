/**
 * The shape of the API's route table: for each exact path, a handler per method. A handler
 * answers on `res` or throws an `HttpError` (http-io.ts), which the server turns into the
 * JSON error answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void

export type Route = Partial<Record<Method, Handler>>

export type Routes = Record<string, Route>
