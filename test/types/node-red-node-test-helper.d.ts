/** The parts of node-red-node-test-helper 0.3.6 the tests use (its package ships no types). */
declare module 'node-red-node-test-helper' {
  interface TestNode {
    receive(msg: object): void;
    on(event: string, listener: (...args: never[]) => void): void;
    context(): { flow: { set(key: string, value: unknown): void } };
  }
  interface NodeTestHelper {
    init(runtimePath?: string, settings?: object): void;
    load(nodes: unknown[], flow: object[], credentials?: object): Promise<void>;
    unload(): Promise<void>;
    getNode(id: string): TestNode;
    startServer(): Promise<void>;
    stopServer(): Promise<void>;
  }
  const helper: NodeTestHelper;
  export = helper;
}
