/* The Open MPI backend of bimt_sweep: rank 0 hands out configuration indices, the other
 * ranks ask for the next one when they finish (dynamic scheduling). Built with MPI only when
 * CMake finds it (BIMT_SWEEP_MPI); otherwise every call reports that MPI is not available. */
#ifndef BIMT_SWEEP_MPI_BACKEND_H
#define BIMT_SWEEP_MPI_BACKEND_H

/** 1 if this build has MPI. */
int smpi_built(void);
/** 1 if the process was started by mpirun / srun (PMIx, PMI or Open MPI variables set). */
int smpi_launched(void);
/** MPI_Init; rank, size and ranks on this host. 0 or -1. */
int smpi_init(int *argc, char ***argv, int *rank, int *size, int *local_size);
void smpi_finalize(void);
/** Broadcasts v from rank 0. */
void smpi_bcast_int(int *v);

/** Rank 0: a worker's message if one is waiting (non-blocking): 1 and its source, the index
 *  it finished (-1: none) and whether it is stopping (it wants no reply); 0 if none. */
int smpi_poll(int *source, long *done, int *stopping);
/** Rank 0: the next index for a worker (-1: no more, the worker ends). */
void smpi_reply(int dest, long index);
/** Worker: reports done (-1: none) and, unless stopping, waits for the next index. */
long smpi_request(long done, int stopping);

#endif /* BIMT_SWEEP_MPI_BACKEND_H */
