/** The two error formats on the wire, shared by the front and the service modules. */
import type { EmulatorResponse } from './types';

/** Import/Export's XML namespace, on every answer. */
export const IMPORT_EXPORT_NS = 'http://importexport.amazonaws.com/doc/2010-06-01/';

/**
 * A rest-json error: the name in `x-amzn-ErrorType` (botocore and the v3 SDK both read it), a JSON `message`, and
 * any members the error documents beside it (`extra`).
 */
export function restJsonError(
  status: number,
  name: string,
  message: string,
  requestId: string,
  extra?: object,
): EmulatorResponse {
  return {
    status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-errortype': name,
      'x-amzn-requestid': requestId,
    },
    body: JSON.stringify({ message, ...extra }),
  };
}

/** Escapes text for an XML element body. */
export function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[c]};`);
}

/** A query-protocol `ErrorResponse`, as AWS's query services send it. */
export function queryError(
  status: number,
  code: string,
  message: string,
  requestId: string,
  type: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender',
): EmulatorResponse {
  return {
    status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body:
      `<ErrorResponse xmlns="${IMPORT_EXPORT_NS}"><Error><Type>${type}</Type><Code>${xmlEscape(code)}</Code>` +
      `<Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}
