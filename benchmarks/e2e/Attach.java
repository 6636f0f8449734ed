/**
 * Loads a JVMTI agent into a running JVM: {@code java Attach.java PID AGENT_PATH OPTIONS}. jcmd's
 * JVMTI.agent_load splits the options at their commas, which async-profiler's need.
 */
public class Attach {
    public static void main(String[] args) throws Exception {
        com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(args[0]);
        try {
            vm.loadAgentPath(args[1], args[2]);
        } finally {
            vm.detach();
        }
    }
}
