import BridgePlugin
import CNI

#if canImport(Glibc)
import Glibc
#endif

exit(Skel.run(BridgePlugin()))
