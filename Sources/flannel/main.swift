import CNI
import FlannelPlugin

#if canImport(Glibc)
import Glibc
#endif

exit(Skel.run(FlannelPlugin()))
